"""Flags: values, persistence, rollback, triggers, helpers, signals and the deprecated names."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reactops import reactive
from reactops.errors import HandlerDefinitionError, SnapshotEncodingError
from reactops.reactive import (
    Dispatcher,
    HandlerRegistry,
    ReactiveRuntime,
    _runtime,
    activate,
    all_flags_set,
    any_flags_set,
    clear_flag,
    data_changed,
    get_flag_value,
    get_flags,
    get_unset_flags,
    is_data_changed,
    is_flag_set,
    register_trigger,
    set_flag,
    toggle_flag,
    when,
)
from reactops.reactive._trace import load_trace
from reactops.storage import SQLiteStorage


@pytest.fixture
def runtime() -> Iterator[ReactiveRuntime]:
    with activate(ReactiveRuntime(SQLiteStorage(':memory:'))) as active:
        yield active


def test_flags_are_set_cleared_and_queried(runtime: ReactiveRuntime) -> None:
    set_flag('b')
    set_flag('a', {'port': 80})
    toggle_flag('c', True)
    toggle_flag('c', 0)
    assert get_flags() == ['a', 'b']
    assert is_flag_set('a') and not is_flag_set('c')
    assert all_flags_set('a', 'b') and all_flags_set()
    assert any_flags_set('x', 'a') and not any_flags_set()
    assert get_unset_flags('z', 'a', 'c') == ['c', 'z']
    assert get_flag_value('a') == {'port': 80}
    assert get_flag_value('b', 'default') == 'default'
    set_flag('a', {'port': 81})  # setting again replaces the value
    assert get_flag_value('a') == {'port': 81}
    clear_flag('a')
    clear_flag('a')  # clearing an unset flag is fine
    assert get_flags() == ['b']


def test_flags_live_in_charms_reactive_keys_of_the_state_store(tmp_path: Path) -> None:
    path = tmp_path / '.unit-state.db'
    storage = SQLiteStorage(path)
    with activate(ReactiveRuntime(storage)):
        set_flag('db.ready', {'host': 'pg'})
        set_flag('app.installed')
    storage.commit()
    storage.close()
    with sqlite3.connect(path) as db:
        rows = dict(db.execute("SELECT key, data FROM kv WHERE key LIKE 'reactive.states.%'"))
    assert rows == {'reactive.states.app.installed': 'null',
                    'reactive.states.db.ready': '{"host":"pg"}'}


def test_flags_persist_only_when_the_dispatch_commits(tmp_path: Path) -> None:
    path = tmp_path / '.unit-state.db'
    storage = SQLiteStorage(path)
    with activate(ReactiveRuntime(storage)):
        set_flag('kept')
    storage.commit()
    with activate(ReactiveRuntime(storage)):
        set_flag('lost')
        clear_flag('kept')
    storage.close()  # the hook failed: no commit

    storage = SQLiteStorage(path)
    with activate(ReactiveRuntime(storage)):
        assert get_flags() == ['kept']
    storage.close()


def test_a_legacy_charms_reactive_flag_is_read(tmp_path: Path) -> None:
    path = tmp_path / '.unit-state.db'
    with sqlite3.connect(path) as db:
        db.execute('CREATE TABLE kv (key TEXT PRIMARY KEY, data TEXT)')
        db.execute("INSERT INTO kv VALUES ('reactive.states.apache.started', 'null')")
        db.execute("INSERT INTO kv VALUES ('reactive.states.db.info', '{\"u\": \"x\"}')")
    path.chmod(0o600)
    with activate(ReactiveRuntime(SQLiteStorage(path))):
        assert get_flags() == ['apache.started', 'db.info']
        assert get_flag_value('db.info') == {'u': 'x'}


def test_bad_flag_names_and_values_are_refused_clearly(runtime: ReactiveRuntime) -> None:
    with pytest.raises(HandlerDefinitionError, match='non-empty string, got 42'):
        set_flag(42)  # type: ignore[arg-type]
    with pytest.raises(HandlerDefinitionError, match='non-empty string'):
        clear_flag('')
    with pytest.raises(SnapshotEncodingError, match="value of flag 'x'.*object"):
        set_flag('x', object())
    assert get_flags() == []


def test_triggers_fire_at_once_and_nest(runtime: ReactiveRuntime) -> None:
    calls: list[str] = []
    register_trigger(when='t.a', set_flag='t.b')
    register_trigger(when='t.b', set_flag='t.c', callback=lambda: calls.append('b set'))
    register_trigger(when_not='t.c', clear_flag='t.b')
    set_flag('t.a')
    assert get_flags() == ['t.a', 't.b', 't.c']
    assert calls == ['b set']
    set_flag('t.a')  # no transition: nothing fires
    assert calls == ['b set']
    clear_flag('t.c')
    assert get_flags() == ['t.a']


def test_a_trigger_registered_twice_fires_once(runtime: ReactiveRuntime) -> None:
    calls: list[int] = []

    def callback() -> None:
        calls.append(1)

    register_trigger(when='x', callback=callback)
    register_trigger(when='x', callback=callback)
    set_flag('x')
    assert calls == [1]


@pytest.mark.parametrize(('kwargs', 'message'), [
    ({'set_flag': 'y'}, 'exactly one of when= or when_not='),
    ({'when': 'a', 'when_not': 'b', 'set_flag': 'y'}, 'exactly one'),
    ({'when': 'a'}, 'does nothing'),
    ({'when': 'a', 'callback': 'not callable'}, 'is not callable'),
    ({'when': 7, 'set_flag': 'y'}, r'when= must be a flag name'),
])
def test_bad_triggers_are_refused(runtime: ReactiveRuntime, kwargs: dict[str, Any],
                                  message: str) -> None:
    with pytest.raises(HandlerDefinitionError, match=message):
        register_trigger(**kwargs)


def test_triggers_registered_outside_a_dispatch_apply_to_every_dispatch() -> None:
    _runtime.reset_default()
    try:
        register_trigger(when='static.a', set_flag='static.b')
        for _ in range(2):
            with activate(ReactiveRuntime(SQLiteStorage(':memory:'))):
                set_flag('static.a')
                assert is_flag_set('static.b')
    finally:
        _runtime.reset_default()


def test_data_changed_remembers_hashes_in_the_store(runtime: ReactiveRuntime) -> None:
    assert data_changed('cfg', {'a': 1, 'b': 2})
    assert not data_changed('cfg', {'b': 2, 'a': 1})  # key order does not matter
    assert is_data_changed('cfg', {'a': 2})
    assert is_data_changed('cfg', {'a': 2})  # is_data_changed does not remember
    assert data_changed('cfg', {'a': 2})
    assert runtime.storage.kv_get('reactive.data_changed.cfg') is not None
    with pytest.raises(TypeError, match='JSON-serialisable'):
        data_changed('bad', object())


def test_any_file_changed(runtime: ReactiveRuntime, tmp_path: Path) -> None:
    conf = tmp_path / 'a.conf'
    assert reactive.any_file_changed([str(conf)]) is False  # missing both times: no change
    conf.write_text('x')
    assert reactive.any_file_changed([lambda: str(conf)])
    assert not reactive.any_file_changed([str(conf)])


def test_deprecated_state_names_still_work_and_warn(runtime: ReactiveRuntime) -> None:
    with pytest.deprecated_call():
        reactive.set_state('s', 1)
    with pytest.deprecated_call():
        assert reactive.is_state('s')
    with pytest.deprecated_call():
        assert reactive.get_states() == {'s': 1}
    with pytest.deprecated_call():
        assert reactive.get_state('s') == 1
    with pytest.deprecated_call():
        assert reactive.all_states('s') and reactive.any_states('s', 'x')
    with pytest.deprecated_call():
        reactive.toggle_state('t', True)
    with pytest.deprecated_call():
        reactive.remove_state('s')
    assert get_flags() == ['t']


def test_signals_report_every_step(runtime: ReactiveRuntime) -> None:
    from reactops.reactive import signals

    events: list[tuple[str, Any]] = []

    def receiver(name: str) -> Any:
        def receive(sender: Any, **data: Any) -> None:
            events.append((name, getattr(sender, 'name', sender)))
        return receive

    receivers = {name: receiver(name) for name in signals.__all__}
    for name, fn in receivers.items():
        getattr(signals, name).connect(fn)
    try:
        @when('go')
        def works() -> None:
            set_flag('done')
            clear_flag('go')

        @when('done')
        def fails() -> None:
            raise RuntimeError('boom')

        registry = HandlerRegistry()
        registry.add_function(works)
        registry.add_function(fails)
        runtime.set('go')
        with pytest.raises(RuntimeError):
            Dispatcher(registry, runtime).dispatch()
    finally:
        for name, fn in receivers.items():
            getattr(signals, name).disconnect(fn)
    works_name = works.__qualname__
    fails_name = fails.__qualname__
    assert events == [
        ('dispatch_started', runtime.recorder),
        ('handler_started', works_name),
        ('flag_set', 'done'),
        ('flag_cleared', 'go'),
        ('handler_finished', works_name),
        ('handler_started', fails_name),
        ('handler_failed', fails_name),
        ('dispatch_finished', runtime.recorder),
    ]


def test_the_last_dispatch_trace_is_kept_in_the_store(runtime: ReactiveRuntime) -> None:
    @when_not_installed
    def install() -> None:
        set_flag('installed')

    registry = HandlerRegistry()
    registry.add_function(install)
    Dispatcher(registry, runtime).dispatch()
    trace = load_trace(runtime.storage.kv_get('reactops.trace.last'))
    assert trace is not None
    handler_id = registry.ordered()[0].id
    assert trace['steps'] == [{'run': handler_id, 'iteration': 0},
                              {'set': 'installed', 'by': handler_id}]
    assert trace['written_by'] == {handler_id: ['installed']}


def when_not_installed(func: Any) -> Any:
    return reactive.when_not('installed')(func)


def test_a_plain_dispatch_does_not_import_blinker_or_networkx(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = """
import sys
from reactops.reactive import *
from reactops.storage import SQLiteStorage
@when_not('x')
def h():
    set_flag('x')
registry = HandlerRegistry()
registry.add_function(h)
runtime = ReactiveRuntime(SQLiteStorage(':memory:'))
with activate(runtime):
    Dispatcher(registry, runtime).dispatch()
assert runtime.names() == ['x']
print(sorted(m for m in ('blinker', 'networkx') if m in sys.modules))
"""
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[1]).stdout
    assert out.strip() == '[]'


def test_triggers_a_handler_module_registers_at_import_survive_later_dispatches(
        tmp_path: Path) -> None:
    from reactops.reactive.registry import discover_modules

    (tmp_path / 'reactive').mkdir()
    (tmp_path / 'reactive' / 'trig.py').write_text(
        'from reactops import register_trigger\n'
        "register_trigger(when='imported.a', set_flag='imported.b')\n")
    _runtime.reset_default()
    try:
        for _ in range(2):  # the module is imported once, by the first dispatch
            with activate(ReactiveRuntime(SQLiteStorage(':memory:'))):
                discover_modules(tmp_path)
                set_flag('imported.a')
                assert is_flag_set('imported.b')
    finally:
        _runtime.reset_default()
