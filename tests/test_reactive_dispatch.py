"""The dispatch rules, one test per rule, each with the handler order it must give."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from reactops.errors import DispatchLoopError, HandlerDefinitionError
from reactops.meta import CharmMeta
from reactops.reactive import (
    Dispatcher,
    HandlerRegistry,
    ReactiveRuntime,
    activate,
    clear_flag,
    collect_metrics,
    hook,
    only_once,
    set_flag,
    when,
    when_any,
    when_file_changed,
    when_none,
    when_not,
    when_not_all,
)
from reactops.storage import SQLiteStorage

Ran = list[str]


def dispatch(handlers: Iterable[Callable[..., Any]], *, flags: Iterable[str] = (),
             hook_name: str = 'update-status', storage: SQLiteStorage | None = None,
             restricted: bool = False, charm: Any = None) -> tuple[Dispatcher, ReactiveRuntime]:
    """Run one dispatch of *handlers* (registered in the order given)."""
    registry = HandlerRegistry()
    for handler in handlers:
        registry.add_function(handler)
    runtime = ReactiveRuntime(storage or SQLiteStorage(':memory:'), hook_name=hook_name)
    runtime.charm = charm
    with activate(runtime):
        for flag in flags:
            runtime.set(flag)
        runtime.take_changes()
        dispatcher = Dispatcher(registry, runtime)
        dispatcher.dispatch(restricted=restricted)
    return dispatcher, runtime


def test_new_flags_take_effect_in_the_next_iteration() -> None:
    ran: Ran = []

    @when_not('a')
    def first() -> None:
        ran.append('first')
        set_flag('a')

    @when('a')
    @when_not('b')
    def second() -> None:
        ran.append('second')
        set_flag('b')

    @when('b')
    def third() -> None:
        ran.append('third')

    dispatcher, runtime = dispatch([third, second, first])
    # Registration order puts third first, but each waits for the previous one's flag.
    assert ran == ['first', 'second', 'third']
    assert dispatcher.iterations == 3
    assert runtime.names() == ['a', 'b']


def test_a_handler_runs_at_most_once_per_iteration_but_again_if_its_flag_changes() -> None:
    ran: Ran = []

    @when('a')
    def watcher() -> None:
        ran.append('watcher')

    @when('a')
    @when_not('done')
    def toggler() -> None:
        ran.append('toggler')
        clear_flag('a')
        set_flag('a')
        set_flag('done')

    dispatch([watcher, toggler], flags=['a'])
    assert ran == ['watcher', 'toggler', 'watcher']


def test_a_clear_re_tests_the_rest_of_the_queue() -> None:
    ran: Ran = []

    @when('d')
    def clears_d() -> None:
        ran.append('clears_d')
        clear_flag('d')

    @when('d')
    def needs_d() -> None:
        ran.append('needs_d')

    dispatch([clears_d, needs_d], flags=['d'])
    assert ran == ['clears_d']


def test_clearing_an_unset_flag_also_re_tests_the_queue() -> None:
    ran: Ran = []

    @when('go')
    def sets_blocker() -> None:
        ran.append('sets_blocker')
        set_flag('blocked')
        clear_flag('never.set')  # charms.reactive re-tests on any clear_flag call

    @when('go')
    @when_not('blocked')
    def blocked_later() -> None:
        ran.append('blocked_later')

    dispatch([sets_blocker, blocked_later], flags=['go'])
    assert ran == ['sets_blocker']


def test_without_a_clear_a_queued_handler_runs_even_if_its_predicate_broke() -> None:
    ran: Ran = []

    @when('go')
    def sets_blocker() -> None:
        ran.append('sets_blocker')
        set_flag('blocked')

    @when('go')
    @when_not('blocked')
    def queued() -> None:
        ran.append('queued')

    dispatch([sets_blocker, queued], flags=['go'])
    assert ran == ['sets_blocker', 'queued']


def test_the_hooks_phase_runs_before_the_main_loop() -> None:
    ran: Ran = []

    @when_not('installed')
    def install() -> None:
        ran.append('install')
        set_flag('installed')

    @hook('install')
    def on_install_hook() -> None:
        ran.append('hook')

    @hook('config-changed')
    def other_hook() -> None:
        ran.append('other hook')

    dispatch([install, on_install_hook, other_hook], hook_name='install')
    assert ran == ['hook', 'install']


def test_hook_combined_with_when_never_runs() -> None:
    ran: Ran = []

    @hook('install')
    @when('x')
    def combined() -> None:
        ran.append('combined')

    dispatch([combined], flags=['x'], hook_name='install')
    assert ran == []


def test_hook_patterns_expand_alternatives_and_role_interface() -> None:
    meta = CharmMeta.from_yaml('name: c\nrequires:\n  db: {interface: pgsql}\n'
                               'peers:\n  cluster: {interface: c-peer}\n')
    charm = type('Charm', (), {'framework': type('F', (), {'meta': meta})()})()
    ran: Ran = []

    @hook('{requires:pgsql}-relation-{joined,changed}')
    def db_hook() -> None:
        ran.append('db')

    @hook('{peers:c-peer}-relation-changed', '{provides:pgsql}-relation-changed')
    def peer_hook() -> None:
        ran.append('peer')

    for hook_name in ('db-relation-joined', 'db-relation-changed', 'db-relation-broken',
                      'cluster-relation-changed'):
        dispatch([db_hook, peer_hook], hook_name=hook_name, charm=charm)
    assert ran == ['db', 'db', 'peer']


def test_flag_predicate_kinds() -> None:
    ran: Ran = []

    @when_any('a', 'missing')
    def any_of() -> None:
        ran.append('any')

    @when_none('missing', 'other')
    def none_of() -> None:
        ran.append('none')

    @when_not_all('a', 'missing')
    def not_all() -> None:
        ran.append('not_all')

    @when_not_all('a', 'b')
    def all_set() -> None:
        ran.append('all set: must not run')

    dispatch([any_of, none_of, not_all, all_set], flags=['a', 'b'])
    assert ran == ['any', 'none', 'not_all']


def test_order_within_an_iteration_is_registration_order_unless_priority_is_given() -> None:
    ran: Ran = []

    @when('go')
    def b() -> None:
        ran.append('b')

    @when('go', priority=-1)
    def a() -> None:
        ran.append('a')

    @when('go')
    def c() -> None:
        ran.append('c')

    dispatch([b, a, c], flags=['go'])
    assert ran == ['a', 'b', 'c']


def test_a_handler_without_flag_predicates_runs_once_not_every_iteration() -> None:
    ran: Ran = []

    @when()
    def always() -> None:
        ran.append('always')

    @when_not('x')
    def sets_x() -> None:
        ran.append('sets_x')
        set_flag('x')

    dispatch([always, sets_x])
    assert ran == ['always', 'sets_x']  # charms.reactive ran `always` 100 times


def test_only_once_runs_once_in_the_life_of_the_unit() -> None:
    ran: Ran = []

    @only_once
    def once() -> None:
        ran.append('once')

    storage = SQLiteStorage(':memory:')
    dispatch([once], storage=storage, hook_name='install')
    dispatch([once], storage=storage, hook_name='config-changed')
    assert ran == ['once']


def test_every_handler_watching_a_file_sees_its_change_once(tmp_path: Path) -> None:
    watched = tmp_path / 'app.conf'
    watched.write_text('v1')
    ran: Ran = []

    @when_file_changed(str(watched))
    def alone() -> None:
        ran.append('alone')

    @when_file_changed(str(watched))
    @when('ready')
    def below_when() -> None:
        ran.append('below_when')

    @when('ready')
    @when_file_changed(lambda: str(watched))
    def above_when() -> None:
        ran.append('above_when')

    @when('ready')
    def clears() -> None:
        clear_flag('unrelated')  # a re-test must not consume the change

    storage = SQLiteStorage(':memory:')
    dispatch([clears, alone, below_when, above_when], flags=['ready'], storage=storage)
    assert sorted(ran) == ['above_when', 'alone', 'below_when']
    ran.clear()
    dispatch([clears, alone, below_when, above_when], flags=['ready'], storage=storage)
    assert ran == []
    watched.write_text('v2')
    dispatch([clears, alone, below_when, above_when], flags=['ready'], storage=storage)
    assert sorted(ran) == ['above_when', 'alone', 'below_when']


def test_restricted_hooks_run_only_their_handlers_once() -> None:
    ran: Ran = []

    @collect_metrics()
    def metrics() -> None:
        ran.append('metrics')
        set_flag('m')

    @when('m')
    def later() -> None:
        ran.append('later')

    @when_not('x')
    def normal() -> None:
        ran.append('normal')

    dispatch([metrics, later, normal], hook_name='collect-metrics', restricted=True)
    assert ran == ['metrics']


def test_rerun_false_runs_only_when_the_predicate_newly_holds_or_values_change() -> None:
    ran: list[Any] = []

    @when('db.ready', rerun=False)
    def configure() -> None:
        from reactops.reactive import get_flag_value

        ran.append(get_flag_value('db.ready'))

    storage = SQLiteStorage(':memory:')

    def run(value: Any = None, present: bool = True) -> None:
        registry = HandlerRegistry()
        registry.add_function(configure)
        runtime = ReactiveRuntime(storage, hook_name='update-status')
        with activate(runtime):
            if present:
                runtime.set('db.ready', value)
            else:
                runtime.clear('db.ready')
            Dispatcher(registry, runtime).dispatch()

    run({'host': 'a'})
    run({'host': 'a'})          # same values: does not run again
    run({'host': 'b'})          # the flag's value changed
    run(present=False)          # predicate false: forgotten
    run({'host': 'b'})          # newly true again
    assert ran == [{'host': 'a'}, {'host': 'b'}, {'host': 'b'}]


def test_a_loop_raises_naming_the_handlers_and_flags() -> None:
    @when('ping')
    def pinger() -> None:
        clear_flag('ping')
        set_flag('pong')

    @when('pong')
    def ponger() -> None:
        clear_flag('pong')
        set_flag('ping')

    with pytest.raises(DispatchLoopError) as info:
        dispatch([pinger, ponger], flags=['ping'])
    error = info.value
    assert {h.rsplit(':', 1)[-1] for h in error.handlers} == {
        'test_a_loop_raises_naming_the_handlers_and_flags.<locals>.pinger',
        'test_a_loop_raises_naming_the_handlers_and_flags.<locals>.ponger'}
    assert error.flags == ['ping', 'pong']
    assert 'does not settle (in iteration 2: the flags returned to their state after ' \
        'iteration 0)' in str(error)
    assert '[pong]' in str(error) and '[ping]' in str(error)


def test_a_loop_through_ever_new_values_stops_at_the_iteration_limit() -> None:
    @when('count')
    def counter() -> None:
        from reactops.reactive import get_flag_value

        value = get_flag_value('count', 0)
        clear_flag('count')
        set_flag('count', value + 1)

    with pytest.raises(DispatchLoopError, match=r'does not settle \(after 100 iterations\)'):
        dispatch([counter], flags=['count'])


def test_dispatch_work_grows_with_the_flags_that_change_not_the_handlers() -> None:
    def make(i: int) -> Callable[[], None]:
        def handler() -> None:
            set_flag(f'f{i + 1}')
        handler.__qualname__ = f'chain_{i}'
        return when(f'f{i}')(handler)

    small, _ = dispatch([make(i) for i in range(10)], flags=['f0'])
    large, _ = dispatch([make(i) for i in range(200)], flags=['f0'])
    # Iteration 0 tests only the handler whose flag is set (the others are looked up, not
    # tested); each later iteration tests one reader.
    assert small.handler_tests == 1 + 9
    assert large.handler_tests == 1 + 199


def test_a_handler_error_names_the_handler_and_hook() -> None:
    @when('go')
    def broken() -> None:
        raise ValueError('bad value')

    with pytest.raises(ValueError, match='bad value') as info:
        dispatch([broken], flags=['go'], hook_name='config-changed')
    notes = getattr(info.value, '__notes__', [])
    assert any('broken' in note and 'config-changed' in note for note in notes)


def test_handler_arguments_are_computed_once_per_dispatch() -> None:
    seen: list[tuple[Any, ...]] = []

    @when('a')
    def takes_endpoint(*endpoints: Any) -> None:
        seen.append(endpoints)

    @when('a')
    @when_not('toggled')
    def toggle() -> None:
        set_flag('toggled')
        clear_flag('a')
        set_flag('a')

    dispatch([takes_endpoint, toggle], flags=['a'])
    assert seen == [(), ()]  # no endpoint maps to 'a'; called twice, same (empty) args


@pytest.mark.parametrize(('make', 'message'), [
    (lambda: when(42), 'flag names must be non-empty strings, got 42'),  # type: ignore[arg-type]
    (lambda: when('a', colour='red'), 'unknown argument'),
    (lambda: when('a', priority='high'), 'priority must be an int'),
    (lambda: when_not(''), 'non-empty strings'),
])
def test_bad_decorator_input_names_the_handler_and_file(make: Any, message: str) -> None:
    def my_handler() -> None: ...

    with pytest.raises(HandlerDefinitionError, match=message) as info:
        make()(my_handler)
    assert 'my_handler' in str(info.value) and 'test_reactive_dispatch.py' in str(info.value)


def test_decorators_used_without_arguments_are_explained() -> None:
    with pytest.raises(HandlerDefinitionError, match=r'write @when\("flag"\)'):
        @when  # type: ignore[arg-type]
        def forgot_parentheses() -> None: ...
    with pytest.raises(HandlerDefinitionError, match=r'write @hook\("install"\)'):
        @hook  # type: ignore[arg-type]
        def forgot_hook_name() -> None: ...
