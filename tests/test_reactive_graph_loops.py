"""``FlagGraph.check`` finds handler loops as the dispatch meets them.

Each shape is checked twice: by the graph, and by a real dispatch of the same handlers,
which must raise DispatchLoopError exactly when the graph reports a loop. Then every
example and test charm with handlers is checked for false alarms, and ``reactops check``
prints a loop naming both handlers and the flag.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from charmrun import REPO, write_files
from graphids import hid, no_static_triggers, node  # noqa: F401 - an autouse fixture

from reactops.cli import main
from reactops.cli._charmload import load_charm
from reactops.errors import DispatchLoopError
from reactops.reactive import (
    Dispatcher,
    HandlerRegistry,
    ReactiveRuntime,
    activate,
    clear_flag,
    only_once,
    set_flag,
    toggle_flag,
    when,
    when_not,
)
from reactops.reactive._runtime import Trigger
from reactops.reactive.graph import Finding, FlagGraph, flag_node
from reactops.storage import SQLiteStorage


def loops(*functions: Callable[..., Any], triggers: Iterable[Trigger] = ()) -> list[Finding]:
    registry = HandlerRegistry()
    for function in functions:
        registry.add_function(function)
    graph = FlagGraph.from_registry(registry, triggers=list(triggers))
    return [f for f in graph.check() if f.kind == 'cycle']


def dispatch_loops(*functions: Callable[..., Any], triggers: Iterable[Trigger] = (),
                   flags: Iterable[str] = ()) -> bool:
    """Whether one dispatch of *functions* (with *flags* set before) fails as a loop."""
    registry = HandlerRegistry()
    for function in functions:
        registry.add_function(function)
    runtime = ReactiveRuntime(SQLiteStorage(':memory:'), hook_name='update-status')
    with activate(runtime):
        for trigger in triggers:
            runtime.register_trigger(trigger)
        for flag in flags:
            runtime.set(flag)
        runtime.take_changes()
        try:
            Dispatcher(registry, runtime).dispatch()
        except DispatchLoopError:
            return True
    return False


# -- loops the old search missed, and others -------------------------------------------------


def test_two_handlers_undoing_each_other_through_one_flag_are_a_loop() -> None:
    @when_not('x')
    def make() -> None:
        set_flag('x')

    @when('x')
    def undo() -> None:
        clear_flag('x')

    found = loops(make, undo)

    assert dispatch_loops(make, undo)
    assert len(found) == 1
    # The loop passes flag x twice: make sets it for undo, undo clears it for make.
    assert found[0].related == (node(make), flag_node('x'), node(undo), flag_node('x'))
    message = found[0].message
    assert f"{hid(make)} sets 'x' -> {hid(undo)} (@when('x')) clears 'x' -> " \
           f"{hid(make)} (@when_not('x'))" in message
    assert "'x' is both set and cleared" in message
    assert 'DispatchLoopError' in message


def test_three_handlers_in_a_ring_are_a_loop() -> None:
    @when_not('a')
    def first() -> None:
        set_flag('a')

    @when('a')
    def second() -> None:
        set_flag('b')

    @when('b')
    def third() -> None:
        clear_flag('a')
        clear_flag('b')

    found = loops(first, second, third)

    assert dispatch_loops(first, second, third)
    assert [f.related for f in found] == [(
        node(first), flag_node('a'), node(second), flag_node('b'), node(third),
        flag_node('a'))]
    assert "'a', 'b' are both set and cleared" in found[0].message


def test_a_set_through_a_trigger_is_a_step_of_the_loop() -> None:
    @when_not('x')
    def start() -> None:
        set_flag('go')  # the trigger sets x

    @when('x')
    def stop() -> None:
        clear_flag('x')
        clear_flag('go')

    triggers = [Trigger('go', on_set=True, set_flags=['x'])]
    found = loops(start, stop, triggers=triggers)

    assert dispatch_loops(start, stop, triggers=triggers)
    assert [f.related for f in found] == [
        (node(start), flag_node('go'), flag_node('x'), node(stop), flag_node('x'))]
    assert f"sets 'go' -> (trigger) sets 'x' -> {hid(stop)} (@when('x'))" in found[0].message


def test_a_clear_through_a_trigger_is_a_step_of_the_loop() -> None:
    @when('x')
    def finish() -> None:
        set_flag('done')  # the trigger clears x

    @when_not('x')
    def begin() -> None:
        set_flag('x')
        clear_flag('done')

    triggers = [Trigger('done', on_set=True, clear_flags=['x'])]
    found = loops(finish, begin, triggers=triggers)

    assert dispatch_loops(finish, begin, triggers=triggers)
    assert len(found) == 1
    assert "(trigger) clears 'x' -> " in found[0].message


def test_toggles_that_flip_a_flag_back_and_forth_are_a_loop() -> None:
    @when('on')
    def switch_off() -> None:
        toggle_flag('on', False)

    @when_not('on')
    def switch_on() -> None:
        toggle_flag('on', True)

    found = loops(switch_off, switch_on)

    assert dispatch_loops(switch_off, switch_on)
    assert len(found) == 1
    assert "toggles 'on'" in found[0].message


# -- shapes that settle: no false alarm --------------------------------------------------


def test_a_toggle_of_the_flag_the_handler_needs_settles() -> None:
    @when('x')
    def flip() -> None:
        toggle_flag('x', False)

    assert not dispatch_loops(flip, flags=['x'])
    assert loops(flip) == []


def test_setting_the_flag_a_handler_needs_is_no_step() -> None:
    @when('x')
    def again() -> None:
        set_flag('x')

    @when_not('x')
    def first() -> None:
        set_flag('x')

    assert not dispatch_loops(again, first)
    assert loops(again, first) == []


def test_a_flag_the_loop_only_ever_sets_ends_it() -> None:
    @when_not('x')
    @when_not('done')
    def make() -> None:
        set_flag('x')

    @when('x')
    def undo() -> None:
        clear_flag('x')
        set_flag('done')  # never cleared: make cannot run a second time

    assert not dispatch_loops(make, undo)
    assert loops(make, undo) == []


def test_a_writer_that_blocks_the_reader_makes_no_step() -> None:
    @when_not('x')
    def make() -> None:
        set_flag('x')
        set_flag('stop')

    @when('x')
    @when_not('stop')
    def undo() -> None:
        clear_flag('x')

    assert not dispatch_loops(make, undo)
    assert loops(make, undo) == []


def test_handlers_that_cannot_repeat_in_a_dispatch_are_no_loop() -> None:
    @when_not('x', rerun=False)
    def make() -> None:
        set_flag('x')

    @when('x')
    def undo() -> None:
        clear_flag('x')

    @only_once
    @when_not('y')
    def make_once() -> None:
        set_flag('y')

    @when('y')
    def undo_y() -> None:
        clear_flag('y')

    assert not dispatch_loops(make, undo, make_once, undo_y)
    assert loops(make, undo, make_once, undo_y) == []


def test_a_loop_needs_every_member_able_to_run() -> None:
    @when_not('x')
    @when('nobody.sets.this')
    def make() -> None:
        set_flag('x')

    @when('x')
    def undo() -> None:
        clear_flag('x')

    assert not dispatch_loops(make, undo)
    assert loops(make, undo) == []


# -- no false alarm on the project's charms ----------------------------------------------


def _charms_with_handlers() -> list[Path]:
    found = []
    for parent in (REPO / 'examples', REPO / 'tests' / 'charms'):
        for path in sorted(parent.iterdir()):
            if (path / 'metadata.yaml').is_file() or (path / 'charmcraft.yaml').is_file():
                found.append(path)
    return found


@pytest.mark.parametrize('charm_dir', _charms_with_handlers(), ids=lambda p: p.name)
def test_no_loop_is_reported_in_the_example_and_test_charms(charm_dir: Path) -> None:
    loaded = load_charm(charm_dir)
    if not len(loaded.registry):
        pytest.skip('no handlers')
    cycles = [f for f in loaded.graph().check() if f.kind == 'cycle']
    assert cycles == []


def test_a_legacy_charm_loads_with_its_relation_names_expanded() -> None:
    loaded = load_charm(REPO / 'tests' / 'charms' / 'legacy_built')
    graph = loaded.graph()

    # HttpProvides.changed sets '{relation_name}.available' for the website endpoint.
    setters = graph.setters('website.available')
    assert [graph.graph.nodes[s]['name'] for s in setters] == ['HttpProvides.changed']
    assert graph.check() == []


# -- the command -------------------------------------------------------------------------


OSCILLATING = {
    'metadata.yaml': 'name: oscillating\nsummary: s\ndescription: d\n',
    'reactive/swing.py': """\
        from reactops import clear_flag, set_flag, when, when_not


        @when_not('x')
        def make():
            set_flag('x')


        @when('x')
        def undo():
            clear_flag('x')
        """,
}


def test_reactops_check_reports_the_oscillation_naming_both_handlers(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    charm = write_files(tmp_path / 'oscillating', OSCILLATING)

    assert main(['check', str(charm)]) == 0  # a loop is a warning
    out = capsys.readouterr().out
    assert "reactive/swing.py:4: warning: [cycle] handlers can re-trigger each other " \
           "without end: reactive/swing.py:4:make sets 'x' -> reactive/swing.py:9:undo " \
           "(@when('x')) clears 'x' -> reactive/swing.py:4:make (@when_not('x'))" in out
    assert out.rstrip().endswith('2 handlers, 0 errors, 1 warning')

    assert main(['check', '--strict', '--format', 'json', str(charm)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(f['kind'], f['related']) for f in report['findings']] == [(
        'cycle', ['handler:reactive/swing.py:4:make', 'flag:x',
                  'handler:reactive/swing.py:9:undo', 'flag:x'])]


def test_a_tangle_is_reported_as_its_shortest_loops_only() -> None:
    @when('x')
    def restart() -> None:
        clear_flag('x')
        set_flag('x')  # changed, so restart runs again: a loop of one handler

    @when_not('x')
    def start() -> None:
        set_flag('x')

    found = loops(restart, start)

    # restart -> start -> restart is a cycle too, but restart alone already loops.
    assert dispatch_loops(restart, start)
    assert [f.related for f in found] == [(node(restart), flag_node('x'))]
    assert f"{hid(restart)} sets 'x' -> {hid(restart)} (@when('x'))" in found[0].message
