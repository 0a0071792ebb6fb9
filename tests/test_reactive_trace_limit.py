"""The stored trace is bounded: ``set_trace_limit`` caps its steps, a truncated trace keeps
failures and handler runs first and says what it dropped, and ``explain`` says so."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from charmrun import CharmUnit, write_files

import reactops
from reactops.cli import main
from reactops.reactive import _runtime, set_trace_limit
from reactops.reactive._runtime import ReactiveRuntime, activate
from reactops.reactive._trace import (
    DEFAULT_TRACE_LIMIT,
    TRACE_KEY,
    DispatchRecorder,
    dropped_steps,
    load_trace,
    trace_limit,
)
from reactops.reactive.decorators import when, when_not
from reactops.reactive.dispatcher import Dispatcher
from reactops.reactive.flags import set_flag
from reactops.reactive.registry import HandlerRegistry
from reactops.storage import SQLiteStorage


@pytest.fixture(autouse=True)
def _default_limit() -> Iterator[None]:
    """The limit holds for the whole process: put the default back after each test."""
    set_trace_limit(None)
    _runtime.reset_default()
    yield
    set_trace_limit(None)
    _runtime.reset_default()


class _Handler:
    """What the recorder reads of a handler: its id."""

    def __init__(self, id: str):
        self.id = id


def _handler(id: str) -> Any:
    return _Handler(id)


def _recorded(runs: int) -> DispatchRecorder:
    """A dispatch of *runs* handlers, each setting one flag; the first sets one outside."""
    recorder = DispatchRecorder('update-status')
    recorder.flag_changed('auto', True, None)
    for n in range(runs):
        recorder.iteration = n
        handler = _handler(f'reactive/a.py:{n}:h{n}')
        recorder.handler_started(handler)
        recorder.flag_changed(f'f{n}', True, None)
        recorder.handler_finished(handler)
    return recorder


def test_the_limit_is_a_count_of_steps_and_returns_the_one_it_replaces() -> None:
    assert trace_limit() == DEFAULT_TRACE_LIMIT
    assert set_trace_limit(10) == DEFAULT_TRACE_LIMIT
    assert set_trace_limit(0) == 10 and trace_limit() == 0
    assert set_trace_limit(None) == 0 and trace_limit() == DEFAULT_TRACE_LIMIT
    for bad in (-1, 2.5, '10', True):
        with pytest.raises(ValueError, match='set_trace_limit takes a number of steps'):
            set_trace_limit(bad)  # type: ignore[arg-type]
    assert trace_limit() == DEFAULT_TRACE_LIMIT


def test_it_is_exported_where_the_other_reactive_functions_are() -> None:
    assert 'set_trace_limit' in reactops.reactive.__all__
    assert reactops.reactive.set_trace_limit is set_trace_limit


def test_a_trace_within_the_limit_is_stored_whole() -> None:
    recorder = _recorded(3)
    stored = json.loads(recorder.to_text())
    assert 'dropped' not in stored and len(stored['steps']) == 7
    assert load_trace(stored) == recorder.to_json()
    assert dropped_steps(recorder.to_json()) == 0


def test_a_long_trace_keeps_runs_first_then_changes_nearest_its_ends() -> None:
    recorder = _recorded(10)  # 1 + 10 runs + 10 sets = 21 steps
    set_trace_limit(14)
    stored = json.loads(recorder.to_text())
    steps = stored['steps']
    assert len(steps) == 14
    assert [s[1] for s in steps if s[0] == 'run'] == [f'reactive/a.py:{n}:h{n}'
                                                      for n in range(10)]
    # 4 flag changes fit: the 2 nearest the start and the 2 nearest the end, in order.
    assert [s[1] for s in steps if s[0] == 'set'] == ['auto', 'f0', 'f8', 'f9']
    assert stored['dropped'] == {'set': 7}
    trace = load_trace(stored)
    assert trace is not None and trace == recorder.to_json()
    assert trace['dropped'] == {'set': 7} and dropped_steps(trace) == 7
    assert trace['written_by'] == {'reactive/a.py:0:h0': ['f0'], 'reactive/a.py:8:h8': ['f8'],
                                   'reactive/a.py:9:h9': ['f9']}
    # The recorder keeps every step while the dispatch runs (a loop error reads them).
    assert len(recorder.steps) == 21 and len(recorder.written_by) == 10


def test_when_runs_alone_overflow_the_first_and_last_runs_are_kept() -> None:
    recorder = _recorded(10)
    failing = _handler('reactive/a.py:99:bad')
    recorder.handler_started(failing)
    recorder.handler_failed(failing, RuntimeError('boom'))
    set_trace_limit(5)
    steps = json.loads(recorder.to_text())['steps']
    assert steps[-1][0] == 'failed'  # a failure is kept before anything else
    assert [s[1] for s in steps if s[0] == 'run'] == [
        'reactive/a.py:0:h0', 'reactive/a.py:1:h1', 'reactive/a.py:9:h9',
        'reactive/a.py:99:bad']
    assert json.loads(recorder.to_text())['dropped'] == {'run': 7, 'set': 11}


def test_a_limit_of_zero_keeps_no_steps_and_save_removes_the_trace() -> None:
    storage = SQLiteStorage(':memory:')
    recorder = _recorded(2)
    recorder.save(storage)
    assert load_trace(storage.kv_get(TRACE_KEY)) == recorder.to_json()
    set_trace_limit(0)
    assert json.loads(recorder.to_text())['steps'] == []
    recorder.save(storage)
    assert storage.kv_get(TRACE_KEY) is None


def test_save_does_not_rewrite_the_same_trace(tmp_path: Path) -> None:
    storage = SQLiteStorage(tmp_path / 'state.db')
    written: list[str] = []
    storage._db.set_trace_callback(
        lambda sql: written.append(sql) if sql.startswith(('REPLACE', 'DELETE')) else None)
    _recorded(2).save(storage)
    _recorded(2).save(storage)  # the same hook, the same steps
    assert len(written) == 1
    _recorded(3).save(storage)
    assert len(written) == 2
    storage.close()


def test_a_dispatch_stores_a_trace_within_the_limit() -> None:
    registry = HandlerRegistry()

    def chain(n: int) -> None:
        @when(f'step.{n}')
        @when_not(f'step.{n + 1}')
        def advance() -> None:
            set_flag(f'step.{n + 1}')

        advance.__name__ = advance.__qualname__ = f'advance{n}'
        registry.add_function(advance)

    for n in range(30):
        chain(n)
    set_trace_limit(20)
    with activate(ReactiveRuntime(SQLiteStorage(':memory:'))) as runtime:
        runtime.set('step.0')
        Dispatcher(registry, runtime).dispatch()
        trace = load_trace(runtime.storage.kv_get(TRACE_KEY))
    assert trace is not None and len(trace['steps']) == 20
    assert sum('run' in step for step in trace['steps']) == 20  # runs before flag changes
    assert trace['dropped'] == {'run': 10, 'set': 30}


CHAIN_CHARM = {
    'metadata.yaml': 'name: chain\nsummary: s\ndescription: d\n',
    'src/charm.py': """\
        import reactops

        if __name__ == '__main__':
            reactops.main()
        """,
    'reactive/chain.py': """\
        from reactops import set_flag, when, when_not
        from reactops.reactive import set_trace_limit

        set_trace_limit(LIMIT)


        @when_not('a')
        def first():
            set_flag('a')


        @when('a')
        @when_not('b')
        def second():
            set_flag('b')


        @when('b')
        @when_not('c')
        def third():
            set_flag('c')
        """,
}


def _unit_after_install(root: Path, limit: int) -> Path:
    """A local model whose unit chain/0 ran install as a real hook process, its handler
    module calling set_trace_limit(*limit*) at import; returns the model directory."""
    files = {**CHAIN_CHARM,
             'reactive/chain.py': CHAIN_CHARM['reactive/chain.py'].replace('LIMIT', str(limit))}
    charm = write_files(root / 'source', files)
    CharmUnit(root / 'model' / 'units' / 'chain-0', charm, 'chain/0').ok('hooks/install')
    return root / 'model'


def _explain(capsys: pytest.CaptureFixture[str], model: Path, handler: str) -> dict[str, Any]:
    code = main(['explain', 'chain/0', handler, '--model-dir', str(model), '--format', 'json'])
    out, _ = capsys.readouterr()
    assert code == 0
    explained: dict[str, Any] = json.loads(out)
    return explained


def test_explain_says_the_trace_was_truncated(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    model = _unit_after_install(tmp_path, 4)  # 3 runs and 3 sets: 2 sets left out
    first = _explain(capsys, model, 'first')
    assert first['verdict'] == 'it ran in the last dispatch'  # every run was kept
    assert ('the trace of the last dispatch was truncated: 2 steps were left out '
            '(2 flag sets) by the trace limit (set_trace_limit)') in ' '.join(first['notes'])
    main(['explain', 'chain/0', 'third', '--model-dir', str(model)])
    text, _ = capsys.readouterr()
    assert 'verdict: it ran in the last dispatch' in text
    assert 'note: the trace of the last dispatch was truncated' in text


def test_explain_does_not_say_did_not_run_when_runs_were_dropped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = _unit_after_install(tmp_path, 2)  # the first and the last run are kept
    assert _explain(capsys, model, 'third')['verdict'] == 'it ran in the last dispatch'
    second = _explain(capsys, model, 'second')
    assert second['verdict'] == ('it is not among the handler runs the trace kept of the '
                                 'last dispatch (it may have run: the trace was truncated)')
    assert '(1 handler runs, 3 flag sets)' in ' '.join(second['notes'])
